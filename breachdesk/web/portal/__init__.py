"""The public customer portal: check a notice's code, ask "was I affected?" through
the mailbox, and read (and download) one's own breach record."""
