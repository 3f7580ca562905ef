"""The bundled demo corpus (compressed JSON lines) that `papertide demo` loads."""
