"""Writes the diff fixtures: ``<case>/old.*``, ``<case>/new.*`` and the filter files, if any.

Every case is one edit of a small Swagger 1.2 pets API; a case written as OpenAPI 3.0 goes
through the document-level converter of the tests (``swagger12_to_openapi3``). Run it again
after adding a case (``python tests/diff_fixtures/make_fixtures.py``); the expected changes
live in ``tests/test_diff_rules.py``, written by hand.
"""
import copy, json, shutil, sys
from pathlib import Path
import yaml
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import swagger12_to_openapi3 as conv

OUT = HERE

BASE = {
  "swaggerVersion": "1.2", "apiVersion": "1.0", "basePath": "https://api.example.com/v1", "resourcePath": "/pets",
  "produces": ["application/json"],
  "apis": [
    {"path": "/pets", "operations": [
      {"method": "GET", "nickname": "list-pets", "summary": "List pets", "scope": "pets:read", "type": "PetList",
       "parameters": [
         {"name": "status", "paramType": "query", "type": "string", "enum": ["available", "sold"], "description": "Only pets with this status."},
         {"name": "limit", "paramType": "query", "type": "integer", "format": "int32", "defaultValue": "20", "description": "Page size."}],
       "responseMessages": [{"code": 400, "message": "Bad query"}]},
      {"method": "POST", "nickname": "create-pet", "summary": "Add a pet", "scope": "pets:write", "type": "Pet",
       "consumes": ["application/json"],
       "parameters": [{"name": "body", "paramType": "body", "type": "NewPet", "required": True, "description": "The pet."}],
       "responseMessages": [{"code": 422, "message": "Invalid pet"}]}]},
    {"path": "/pets/{petId}", "operations": [
      {"method": "GET", "nickname": "get-pet", "summary": "Get a pet", "notes": "One pet by id.", "scope": "pets:read", "type": "Pet",
       "parameters": [{"name": "petId", "paramType": "path", "type": "integer", "format": "int64", "required": True, "description": "The pet's id."}],
       "responseMessages": [{"code": 404, "message": "No such pet"}]}]}],
  "models": {
    "Pet": {"id": "Pet", "required": ["id", "name"], "properties": {
      "id": {"type": "integer", "format": "int64", "description": "Unique id."},
      "name": {"type": "string", "description": "The pet's name."},
      "status": {"type": "string", "enum": ["available", "sold"]},
      "nickname": {"type": "string", "description": "Optional in the schema."},
      "owner": {"$ref": "Owner"}}},
    "Owner": {"id": "Owner", "properties": {"name": {"type": "string"}, "email": {"type": "string"}}},
    "PetList": {"id": "PetList", "properties": {
      "items": {"type": "array", "items": {"$ref": "Pet"}}, "total": {"type": "integer", "format": "int32"}}},
    "NewPet": {"id": "NewPet", "required": ["name"], "properties": {
      "name": {"type": "string"}, "age": {"type": "integer", "format": "int32"},
      "kind": {"type": "string", "enum": ["cat", "dog"]}, "tag": {"type": "string"}}}}}


def only(*nicknames):
    doc = copy.deepcopy(BASE)
    apis = []
    for api in doc["apis"]:
        api["operations"] = [op for op in api["operations"] if op["nickname"] in nicknames]
        if api["operations"]:
            apis.append(api)
    doc["apis"] = apis
    return doc


def op(doc, nickname):
    return next(o for api in doc["apis"] for o in api["operations"] if o["nickname"] == nickname)


def param(doc, nickname, name):
    return next(p for p in op(doc, nickname)["parameters"] if p["name"] == name)


def model(doc, name):
    return doc["models"][name]


# case: (ops, edit(new_doc), old format, new format, old filters, new filters, old edit)
CASES = {}


def case(name, ops, edit, old="1.2", new="1.2", old_filters=None, new_filters=None, before=None):
    CASES[name] = (ops, edit, old, new, old_filters, new_filters, before)


def e_remove_list(d):
    d["apis"][0]["operations"] = []
    d["apis"] = [a for a in d["apis"] if a["operations"]]
case("operation-removed", ("get-pet", "list-pets"), e_remove_list)
case("operation-added", ("get-pet",), lambda d: d["apis"].insert(0, copy.deepcopy(only("create-pet")["apis"][0])), "3.0.yaml", "3.0.yaml")
case("operation-renamed", ("get-pet",), lambda d: op(d, "get-pet").update(nickname="fetch-pet"), "3.0.json", "3.0.json")
case("operation-moved", ("get-pet",), lambda d: d["apis"][0].update(path="/animals/{petId}"), "1.2", "3.0.yaml")
case("operation-deprecated", ("get-pet",), lambda d: op(d, "get-pet").update(deprecated="true"))
# Sunset dates far from any day the tests run: 2001 has passed, 2999 has not.
case("operation-removed-after-sunset", ("get-pet", "list-pets"), lambda d: d["apis"].pop(1),
     before=lambda d: op(d, "get-pet").update(deprecated="true", sunset="2001-01-01"))
case("operation-sunset-announced", ("get-pet",), lambda d: op(d, "get-pet").update(deprecated="true", deprecatedAt="2026-10-01", sunset="2999-01-01"),
     before=lambda d: op(d, "get-pet").update(deprecated="true"))
case("operation-past-sunset", ("get-pet",), lambda d: op(d, "get-pet").update(summary=op(d, "get-pet")["summary"]),
     before=lambda d: op(d, "get-pet").update(sunset="2001-01-01"))
case("parameter-added-required", ("get-pet",), lambda d: op(d, "get-pet")["parameters"].append(
    {"name": "X-Tenant", "paramType": "header", "type": "string", "required": True, "description": "Tenant id."}), "3.0.yaml", "3.0.yaml")
case("parameter-added-optional", ("list-pets",), lambda d: op(d, "list-pets")["parameters"].append(
    {"name": "sort", "paramType": "query", "type": "string", "description": "Sort order."}))
case("parameter-removed", ("list-pets",), lambda d: op(d, "list-pets").update(parameters=[param(d, "list-pets", "status")]), "1.2", "3.0.yaml")
case("parameter-became-required", ("list-pets",), lambda d: param(d, "list-pets", "status").update(required=True), "3.0.json", "3.0.json")
case("parameter-became-optional", ("list-pets",), lambda d: param(d, "list-pets", "status").update(required=False),
     before=lambda d: param(d, "list-pets", "status").update(required=True))
case("parameter-type-changed", ("get-pet",), lambda d: param(d, "get-pet", "petId").update(type="string", format=None), "3.0.yaml", "3.0.yaml")
case("parameter-location-changed", ("list-pets",), lambda d: param(d, "list-pets", "limit").update(paramType="header"))
case("parameter-enum-value-removed", ("list-pets",), lambda d: param(d, "list-pets", "status").update(enum=["available"]), "3.0.yaml", "3.0.yaml")
case("parameter-enum-value-added", ("list-pets",), lambda d: param(d, "list-pets", "status").update(enum=["available", "sold", "pending"]))
case("parameter-default-changed", ("list-pets",), lambda d: param(d, "list-pets", "limit").update(defaultValue="50"), "1.2", "3.0.json")
case("request-field-became-required", ("create-pet",), lambda d: model(d, "NewPet").update(required=["name", "age"]))
case("request-field-type-changed", ("create-pet",), lambda d: model(d, "NewPet")["properties"]["age"].update(type="string", format=None), "3.0.yaml", "3.0.yaml")
case("request-field-added-required", ("create-pet",), lambda d: (model(d, "NewPet")["properties"].update(species={"type": "string"}),
     model(d, "NewPet").update(required=["name", "species"])), "3.0.json", "3.0.json")
case("request-field-added-optional", ("create-pet",), lambda d: model(d, "NewPet")["properties"].update(color={"type": "string"}))
case("request-field-removed", ("create-pet",), lambda d: model(d, "NewPet")["properties"].pop("tag"), "3.0.yaml", "3.0.yaml")
case("request-field-became-optional", ("create-pet",), lambda d: model(d, "NewPet").update(required=[]), "1.2", "3.0.yaml")
case("request-field-enum-value-removed", ("create-pet",), lambda d: model(d, "NewPet")["properties"]["kind"].update(enum=["cat"]))
case("request-field-enum-value-added", ("create-pet",), lambda d: model(d, "NewPet")["properties"]["kind"].update(enum=["cat", "dog", "bird"]), "3.0.yaml", "3.0.yaml")
case("scope-added", ("get-pet",), lambda d: op(d, "get-pet").update(scope="pets:read, pets:admin"))
case("scope-removed", ("get-pet",), lambda d: op(d, "get-pet").update(scope="pets:read"), "3.0.yaml", "3.0.yaml",
     before=lambda d: op(d, "get-pet").update(scope="pets:read pets:admin"))
WHITELIST = {"get-pet": ["id", "name", "nickname", {"owner": ["name"]}]}
case("response-field-removed", ("get-pet",), lambda d: model(d, "Pet")["properties"].pop("nickname"),
     old_filters=WHITELIST, new_filters=WHITELIST)
case("response-field-unexposed", ("get-pet",), lambda d: None, "3.0.yaml", "3.0.yaml",
     old_filters={"get-pet": ["id", "name", "owner.name"]}, new_filters={"get-pet": ["id", "owner.name"]})
case("response-field-type-changed", ("list-pets",), lambda d: model(d, "Pet")["properties"]["id"].update(type="string", format=None))
case("response-type-changed", ("get-pet",), lambda d: (op(d, "get-pet").pop("type"), op(d, "get-pet").update(type="array", items={"$ref": "Pet"})), "3.0.json", "3.0.json")
case("response-field-added", ("get-pet",), lambda d: model(d, "Pet")["properties"].update({"app.version": {"type": "string"}}), "3.0.yaml", "3.0.yaml")
case("response-field-exposed", ("get-pet",), lambda d: None,
     old_filters={"get-pet": ["id", "name"]}, new_filters={"get-pet": ["id", "name", "status"]})
case("response-field-enum-value-added", ("get-pet",), lambda d: model(d, "Pet")["properties"]["status"].update(enum=["available", "sold", "pending"]), "1.2", "3.0.yaml")
case("response-field-enum-value-removed", ("get-pet",), lambda d: model(d, "Pet")["properties"]["status"].update(enum=["available"]), "3.0.yaml", "3.0.yaml")
case("response-code-removed", ("get-pet",), lambda d: op(d, "get-pet").update(responseMessages=[]), "3.0.yaml", "3.0.yaml")
case("response-code-added", ("get-pet",), lambda d: op(d, "get-pet")["responseMessages"].append({"code": 410, "message": "Gone"}))
case("response-field-deprecated", ("get-pet",), lambda d: model(d, "Pet")["properties"]["name"].update(deprecated="true"), "3.0.yaml", "3.0.yaml")
case("response-field-became-optional", ("get-pet",), lambda d: model(d, "Pet").update(required=["id"]))
# Response fields' lifecycle (1.2 ``deprecatedAt``/``sunset``, OpenAPI ``x-deprecated-at``/``x-sunset``),
# on a whitelisted field; the same 2001 / 2999 dates as the operations'.
def sunset_nickname(day):
    return lambda d: model(d, "Pet")["properties"]["nickname"].update(deprecated="true", deprecatedAt="2000-06-01", sunset=day)
case("response-field-removed-after-sunset", ("get-pet",), lambda d: model(d, "Pet")["properties"].pop("nickname"),
     old_filters=WHITELIST, new_filters=WHITELIST, before=sunset_nickname("2001-01-01"))
case("response-field-sunset-announced", ("get-pet",), sunset_nickname("2999-01-01"), "3.0.yaml", "3.0.yaml",
     old_filters=WHITELIST, new_filters=WHITELIST,
     before=lambda d: model(d, "Pet")["properties"]["nickname"].update(deprecated="true"))
case("response-field-past-sunset", ("get-pet",), lambda d: None, "1.2", "3.0.yaml",
     old_filters=WHITELIST, new_filters=WHITELIST, before=sunset_nickname("2001-01-01"))
case("description-changed", ("get-pet",), lambda d: (op(d, "get-pet").update(summary="Fetch one pet", notes="One  pet\n   by id. "),
     param(d, "get-pet", "petId").update(description="The id of the pet.")), "3.0.yaml", "3.0.yaml")
# behaviours, not rules
case("hidden-field-removed", ("get-pet",), lambda d: model(d, "Pet")["properties"].pop("nickname"), "1.2", "3.0.yaml",
     old_filters={"get-pet": ["id", "name"]}, new_filters={"get-pet": ["id", "name"]})
case("nested-field-removed", ("get-pet",), lambda d: model(d, "Pet")["properties"].pop("owner"))
case("path-parameter-renamed", ("get-pet",), lambda d: (d["apis"][0].update(path="/pets/{id}"), param(d, "get-pet", "petId").update(name="id")), "3.0.yaml", "1.2")
case("same-api-two-formats", ("get-pet", "list-pets", "create-pet"), lambda d: None, "1.2", "3.0.yaml")
case("filter-through-free-form-object", ("get-pet",), lambda d: None, "3.0.yaml", "3.0.yaml",
     old_filters={"get-pet": ["id", "owner.name", "owner.extra.source"]},
     new_filters={"get-pet": ["id", "owner.name", "owner.extra.origin"]},
     before=lambda d: model(d, "Owner").update(properties={"name": {"type": "string"}, "extra": {"type": "object"}}))

case("whitelist-paths-not-in-model", ("get-pet",), lambda d: None, "1.2", "1.2",
     old_filters={"get-pet": ["id"]}, new_filters={"get-pet": ["id", "ghost", "owner.ghost", "name.first"]})
case("format-suffix", ("get-pet",), lambda d: d["apis"][0].update(path="/pets/{petId}"), "1.2", "3.0.yaml",
     before=lambda d: d["apis"][0].update(path="/pets.{format}/{petId}"))
# A field removed before its sunset date breaks clients as any removal; one left out of the
# whitelist after its date is the planned removal all the same.
case("response-field-removed-before-sunset", ("get-pet",), lambda d: model(d, "Pet")["properties"].pop("nickname"), "3.0.yaml", "3.0.yaml",
     old_filters=WHITELIST, new_filters=WHITELIST, before=sunset_nickname("2999-01-01"))
case("response-field-unexposed-after-sunset", ("get-pet",), lambda d: None, "3.0.yaml", "3.0.yaml",
     old_filters=WHITELIST, new_filters={"get-pet": ["id", "name", {"owner": ["name"]}]}, before=sunset_nickname("2001-01-01"))


def write(folder, stem, doc, fmt):
    if fmt == "1.2":
        (folder / f"{stem}.json").write_text(json.dumps(doc, indent=2) + "\n")
        return
    converted = conv.convert(None, [doc])
    lifecycle(doc, converted)
    if fmt == "3.0.json":
        (folder / f"{stem}.json").write_text(json.dumps(converted, indent=2) + "\n")
    else:
        (folder / f"{stem}.yaml").write_text(yaml.safe_dump(converted, sort_keys=False, allow_unicode=True))


def lifecycle(doc, converted):
    """The converter drops 1.2 properties' ``deprecatedAt``/``sunset``: written here as OpenAPI's
    ``x-deprecated-at``/``x-sunset`` on the schema property (beside ``allOf`` when it wraps a ``$ref``)."""
    schemas = converted["components"]["schemas"]
    for name, declared in doc["models"].items():
        for key, prop in declared["properties"].items():
            for source, target in (("deprecatedAt", "x-deprecated-at"), ("sunset", "x-sunset")):
                if source in prop:
                    schemas[name]["properties"][key][target] = prop[source]


def main():
    for name, (ops, edit, old_fmt, new_fmt, old_filters, new_filters, before) in CASES.items():
        folder = OUT / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        old = only(*ops)
        if before:
            before(old)
        new = copy.deepcopy(old)
        edit(new)
        write(folder, "old", old, old_fmt)
        write(folder, "new", new, new_fmt)
        for stem, filters in (("old-filters", old_filters), ("new-filters", new_filters)):
            if filters is not None:
                (folder / f"{stem}.yaml").write_text(yaml.safe_dump(filters, sort_keys=False))
    print(len(CASES), "cases")


main()
