"""Product-aware work: product masks, restyling the background or the product alone, figures inside
the product region, product shots on generated backdrops, and compositing."""
