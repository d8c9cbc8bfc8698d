extensions = ["sphinx_apidocs"]
apidocs_spec = "../specs"
apidocs_filters = "../filters"
