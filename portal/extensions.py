"""Extension objects shared by the core and plugins (bound to an app in build_app)."""

from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect

from .ratelimits import client_network

csrf = CSRFProtect()
# No default limits: each form sets its own, through ratelimits.client_limit for clients.
limiter = Limiter(key_func=client_network)
