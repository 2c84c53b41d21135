"""Lab use cases: the lab and its stages (``labs``), sessions and attendance (``sessions``), the stage
workspaces (``workspace``). Services flush; callers commit."""
