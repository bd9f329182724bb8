"""The `cartsync` command's commands, a module a group (`cli.py` is the root that merges them), and
the helpers they share: output, error handling, logging, options and argument checks."""
