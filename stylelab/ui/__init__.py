"""The Gradio user interface. These modules import gradio, never torch: they are handed
the web actions (stylelab.actions.WebActions) and only lay out and wire components."""
