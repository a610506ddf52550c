# No models. Django sends post_migrate only for apps with a models module, and
# that signal is what syncs the groups (roles/apps.py).
