"""The citizen's document store ("kho dữ liệu"): signed results land here, can be shared by an expiring link and
reused in a later dossier instead of a paper scan."""
