"""Extension objects shared by the core and plugins (bound to an app in build_app)."""

from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect

from .keptforms import is_language_switch
from .ratelimits import client_network

csrf = CSRFProtect()
# No default limits: each form sets its own, through ratelimits.client_limit for clients.
limiter = Limiter(key_func=client_network)
# A form carried into another language by the header's switch acts on nothing (Form.validate refuses the copy):
# switching back and forth must not use up the form's limits.
limiter.request_filter(is_language_switch)
