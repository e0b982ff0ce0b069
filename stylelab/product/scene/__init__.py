"""Product shots in lit 3-D scenes: podiums, surfaces and window light around a cut-out.

Composed like a small renderer: ``camera`` makes rays, ``geometry`` answers what they hit,
``materials`` and ``palette`` colour the hits, ``lights`` and ``product_layer`` light them,
``kinds`` builds each scene's set and ``render`` puts it together; ``options`` turns a user's
words into settings and ``choices`` lists the names (without loading torch).

    from stylelab.product.scene.render import SceneSettings, render_scene
"""
