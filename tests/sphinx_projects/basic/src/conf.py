# Test project: the sample API (copied next to this folder by the tests) with its filters.
project = "apidocs test"
extensions = ["sphinx_apidocs"]
apidocs_spec = "../specs"
apidocs_filters = "../filters"
apidocs_resource_pages = "api"
exclude_patterns = ["_build"]
copyright = "2025, sphinx_apidocs"
version = release = "1.0"
