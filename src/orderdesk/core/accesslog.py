"""The production web server's access log, masked like every other log line: a platform's
inbound URL token (a credential, stored only as a digest) and phone numbers never in clear."""

from gunicorn.glogging import Logger

from .logging import log_text_mask

MASKED_ATOMS = ("r", "U", "q")


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in MASKED_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = log_text_mask(atoms[name])
        return atoms
