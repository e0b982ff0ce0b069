"""Everything Gradio: the tabs and their layout (these import gradio, never torch, and are handed
their processing functions), the web actions those tabs call, admin sign-in, and the atomic
Gradio image-cache writer."""
