"""SIM classes and the legal conditions to apply for each.

Minimum ages: Perpol No. 5 Tahun 2021 Pasal 3 and 8. A higher class (C I, C II,
B I, B II and the Umum variants) also requires holding the class below it for at
least 12 months (Pasal 8); `prerequisites` lists the classes that satisfy it.
"""
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class SimClass:
    code: str
    label: str
    min_age: int
    description_id: str
    description_en: str
    prerequisites: tuple[str, ...] = ()
    held_months: int = 12


SIM_CLASSES: dict[str, SimClass] = {
    c.code: c
    for c in (
        SimClass("A", "A", 17, "Mobil penumpang dan barang perseorangan s.d. 3.500 kg",
                 "Private passenger and goods vehicles up to 3,500 kg"),
        SimClass("A_UMUM", "A Umum", 20, "Kendaraan bermotor umum s.d. 3.500 kg",
                 "Public-transport vehicles up to 3,500 kg", ("A",)),
        SimClass("B1", "B I", 20, "Mobil penumpang dan barang perseorangan lebih dari 3.500 kg",
                 "Private passenger and goods vehicles over 3,500 kg", ("A",)),
        SimClass("B1_UMUM", "B I Umum", 22, "Kendaraan bermotor umum lebih dari 3.500 kg",
                 "Public-transport vehicles over 3,500 kg", ("B1", "A_UMUM")),
        SimClass("B2", "B II", 21, "Kendaraan alat berat, penarik, dan kereta gandengan/tempelan",
                 "Heavy equipment, tractors and trailers", ("B1",)),
        SimClass("B2_UMUM", "B II Umum", 23, "Kendaraan penarik umum dengan kereta gandengan/tempelan",
                 "Public tractors with trailers", ("B2", "B1_UMUM")),
        SimClass("C", "C", 17, "Sepeda motor s.d. 250 cc", "Motorcycles up to 250 cc"),
        SimClass("C1", "C I", 18, "Sepeda motor 250 cc s.d. 500 cc", "Motorcycles 250 cc to 500 cc", ("C",)),
        SimClass("C2", "C II", 19, "Sepeda motor di atas 500 cc", "Motorcycles over 500 cc", ("C1",)),
        SimClass("D", "D", 17, "Kendaraan khusus penyandang disabilitas (setara sepeda motor)",
                 "Special vehicles for people with disabilities (motorcycle)"),
        SimClass("D1", "D I", 17, "Kendaraan khusus penyandang disabilitas (setara mobil)",
                 "Special vehicles for people with disabilities (car)"),
    )
}

CLASS_CODES: tuple[str, ...] = tuple(SIM_CLASSES)


def label(code: str) -> str:
    return SIM_CLASSES[code].label


def age_on(born: date, on: date) -> int:
    """Completed years of age on a given day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (0 if `end` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)
