"""The yardstick: a bare Flask app served by the same gunicorn settings as the portal."""

from flask import Flask

app = Flask(__name__)

# Compiled once, as Flask's template loader does for template files.
PAGE = app.jinja_env.from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul></body></html>
""")


@app.route("/")
def hello():
    return "hello"


@app.route("/page")
def page():
    return PAGE.render(title="Bare page", items=["one", "two", "three"])
