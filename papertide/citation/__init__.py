"""Citations: keys, LaTeX-safe text and the BibTeX, RIS and CSL-JSON exports that the paper
page, the downloads and `papertide export` share. Pure: no store, no web."""
