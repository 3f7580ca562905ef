"""Accounts and community actions (votes, comments, submissions, bookmarks, follows) as services
over the Store. No SQL and no HTTP here: the web, API and CLI surfaces call these."""
