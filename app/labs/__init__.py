"""Living labs (issue 5): recruit a citizen group and run it through five stages."""
