"""The thin command-line layer: parse, call a library function, print."""
