"""The browser UI's shared machinery: object access for views, lists, badges, home-page sections."""
