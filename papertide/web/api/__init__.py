"""The JSON API under /api, shaped like Hugging Face's papers API: read endpoints (papers.py),
write endpoints with bearer tokens (write.py), for you (foryou.py), the pydantic shapes the
OpenAPI document states (schemas.py, shapes.py) and its one error shape (errors.py).
"""
