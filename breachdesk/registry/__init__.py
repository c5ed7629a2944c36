"""The customer registry: who our customers are, and the keyed index scanners match against."""
