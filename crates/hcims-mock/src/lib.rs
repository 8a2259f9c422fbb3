//! An emulator of Huawei Cloud IMS on loopback.
