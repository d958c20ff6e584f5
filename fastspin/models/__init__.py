"""The built-in model declarations, one module per physical system.

Each module declares its models' parameters, outputs and reference and maps a block
of points onto the physics API in :mod:`fastspin.physics`.  Models are looked up
by name through :mod:`fastspin.registry`; importing this package imports nothing.
"""
