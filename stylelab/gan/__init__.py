"""The catalog generator: a compact StyleGAN-style product image generator."""
