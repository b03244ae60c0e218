"""The packages API: the owner's (`owner.py`) and the logged-in client's (`public.py`)."""
