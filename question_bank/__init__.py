"""The question bank: versioned bilingual questions and the bundled content in `data/`."""
