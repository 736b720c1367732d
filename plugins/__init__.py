"""Built-in Sesim plugins; each registers through the ``sesim.plugins`` entry points."""
