"""The accounts' forms: sign-in and password reset (``auth.py``), two-factor (``two_factor.py``).

The registration form of a new enterprise is certification's (certification/views/registration.py).
"""
