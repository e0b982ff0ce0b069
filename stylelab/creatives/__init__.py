"""Ad creatives: a brand kit's logo, colours and fonts laid out over product shots in every ad format."""
