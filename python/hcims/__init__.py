"""hcims: make private images on Huawei Cloud IMS."""
