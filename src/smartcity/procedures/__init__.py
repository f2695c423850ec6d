"""The catalogue of administrative procedures (thủ tục hành chính): versions, forms, fees, deadlines, workflows."""
