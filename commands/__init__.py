"""Parts of the `cartsync` command (`cli.py` is the entry point): output, error handling,
logging, argument checks and the commands that run a whole client folder."""
