"""Email digests: compose (pure), render (Jinja2 text + HTML), send (Mailer, SmtpMailer), the
signed link tokens and DigestService that puts them together over the store."""
