"""A Pwned Passwords compatible range API over hashes of passwords seen in leaked
lists (and imported HIBP hash files). Only hashes and counts are stored."""
