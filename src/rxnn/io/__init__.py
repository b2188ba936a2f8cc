"""Reading and writing rxnn files.

Modules are imported explicitly (e.g. ``from rxnn.io.model_file import
load_model``) so that importing this package pulls in nothing else.
"""
