"""Extension objects shared by the core and plugins (bound to an app in build_app)."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
# No default limits: clients at the office share one address, so each form sets its own.
limiter = Limiter(key_func=get_remote_address)
