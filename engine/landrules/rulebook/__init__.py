"""The rulebook: the policy documents and the rules and parameters officers edit, loaded into one IR, checked (lint) and hashed."""
