"""Django's SQLite backend, with writers queuing on a lock file instead of sleeping.

SQLite lets one writer in at a time. A writer that finds the database locked waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10 ... up to 100 ms between tries, so under a
burst of comments most of the wait is sleep while the lock is already free again. Every
write transaction here first takes an exclusive flock() on a file beside the database; the
kernel wakes the next writer the moment the lock is released, in whichever process it runs.
Single autocommit statements outside a transaction still use the busy handler.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock_fd: int | None = None
    _write_lock_held = False

    def _lock_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}-writelock"

    def _take_write_lock(self) -> None:
        if self._write_lock_fd is None:
            path = self._lock_path()
            if path is None:
                return
            # One open file per connection: flock() then also orders threads of one process.
            self._write_lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._write_lock_fd, fcntl.LOCK_EX)
        self._write_lock_held = True

    def _release_write_lock(self) -> None:
        if self._write_lock_held and self._write_lock_fd is not None:
            fcntl.flock(self._write_lock_fd, fcntl.LOCK_UN)
        self._write_lock_held = False

    def _start_transaction_under_autocommit(self) -> None:
        self._take_write_lock()
        try:
            # Django's SQLite backend defines this hook; django-stubs does not declare it.
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_write_lock()
            if self._write_lock_fd is not None:
                os.close(self._write_lock_fd)
                self._write_lock_fd = None
