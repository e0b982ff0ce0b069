"""The Blender side of product shots: runs only inside the render worker process.

``job.run`` is the worker's entry point: it turns a scene plan (plain data from
``scene/plan.py``) into a Blender scene with ``objects`` and ``materials`` and renders it
with Cycles. Nothing outside the worker imports ``bpy``.
"""
