"""Fine-tuning the any-image style network to a brand's style and catalog (transfer learning)."""
