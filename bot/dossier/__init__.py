"""The PAR self-assessment dossier: criteria as a tree, the documents proving each, warnings before review, the
council stage and the exports the office hands in. Services take a Session (and an Actor where rights matter) and
return frozen dataclasses of facts; words come from this package's own catalog (domain `dossier`)."""
