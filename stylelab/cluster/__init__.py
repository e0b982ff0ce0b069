"""Catalog-scale restyling on a Ray cluster: the same photos in, the same files out as the local CLI.

``runner`` starts or joins Ray and drives a Ray Data pipeline; ``worker`` is the callable class that
holds one StyleEngine per Ray worker; ``manifest`` is the per-photo record that makes runs resumable;
``storage`` writes results to a local or shared folder, or to s3:// and gs:// through pyarrow.
Ray and pyarrow are optional (requirements-ray.txt), so nothing here is imported with ``stylelab``.
"""
