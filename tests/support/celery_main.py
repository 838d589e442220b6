"""``celery`` as the tests' workers run it: the same command, plus a dump of every thread's stack
on SIGUSR2 (``faulthandler``, written to the worker's log).

Registered before Celery starts, so the pool's processes inherit it (Celery resets only the
signals it uses itself). :meth:`WorkerProcess.diagnosis` sends the signal when a wait for the
worker times out: the failure then shows where each process was, not only what it last logged.
"""

import faulthandler
import signal
import sys

from celery.__main__ import main

faulthandler.register(signal.SIGUSR2, all_threads=True)
sys.exit(main())
