"""gunicorn's access log without confirmation-link tokens (deploy/gunicorn.conf.py names
this class as `logger_class`): a token in a log line is a link anyone who reads the log
could press. Paths go through the same scrubbing as every other log line."""

from typing import Any

from gunicorn.glogging import Logger

from .logscrub import scrub


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "f"):  # the path, the request line, the referrer
            if isinstance(atoms.get(key), str):
                atoms[key] = scrub(atoms[key])
        return atoms
