"""`python -m services.matching.dispatcher`: the webhook dispatcher (see worker.py)."""

from .worker import dispatcher_main as main

if __name__ == "__main__":
    main()
