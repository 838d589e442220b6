"""saleor-notify: business-event notifications (postbacks, e-mail, Slack) for Saleor."""

__version__ = "0.1.0"
