"""Extensions are created unbound here and attached to the app in the factory."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The largest id every supported database holds: the primary keys are INTEGER, 32-bit
# signed on PostgreSQL. A larger number in a URL or a body is an unknown id (404), not an
# overflow inside the query (500).
DATABASE_ID_MAX = 2**31 - 1
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Request rate limits (registration per address); storage from RATELIMIT_STORAGE_URI
# (memory:// on one machine, redis://... when several web processes share the limits).
# Behind a proxy, TRUSTED_PROXIES makes the client's address the forwarded one.
limiter = Limiter(get_remote_address)
