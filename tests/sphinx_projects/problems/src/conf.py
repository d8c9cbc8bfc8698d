extensions = ["sphinx_apidocs"]
apidocs_spec = "../specs"
apidocs_filters = "../filters"
apidocs_changelog = [{"version": "0.9", "spec": "../no-such-release"}]
apidocs_audiences = ["public", "partner"]
apidocs_audience = "partner"  # the narrowest: warnings may name any item
