"""breachdesk: scope, decide and notify on the day customer data leaks.

Data flows one way through the sub-packages::

    registry -> detect -> incident -> law -> notify -> web
                     (store underneath them all)
"""

__version__ = "0.1.0"
