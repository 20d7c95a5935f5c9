"""core keeps no tables yet; the module exists so post_migrate reaches CoreConfig."""
