"""The open-data catalogue of the demo: publishers, themes, datasets whose resources are live tables of the
platform's own data (air quality, water levels, rain, stations, wards, procedures, dossier statistics), one
uploaded CSV, and the city's database catalogue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import get_user_model

from smartcity.agencies.models import Agency
from smartcity.agencies.services import department
from smartcity.opendata import services as opendata
from smartcity.opendata.models import Dataset, Frequency, Licence, Sharing
from smartcity.places.models import Level, Structure, Unit

PARKS = """name,address,area_ha,latitude,longitude
Công viên Thống Nhất,"Trần Nhân Tông, Hai Bà Trưng",50,21.0155,105.8436
Công viên Bách Thảo,"Hoàng Hoa Thám, Ba Đình",10,21.0390,105.8336
Công viên Cầu Giấy,"Dịch Vọng, Cầu Giấy",15,21.0296,105.7935
Công viên Yên Sở,"Yên Sở, Hoàng Mai",323,20.9659,105.8596
Vườn hoa Lý Thái Tổ,"Đinh Tiên Hoàng, Hoàn Kiếm",0.6,21.0270,105.8540
"""


def load_opendata(out: Callable[[str], object]) -> None:
    if Dataset.objects.exists():
        return
    city = Agency.objects.get(code="000.00.00.H26")
    env = department("Sở Nông nghiệp và Môi trường")
    home = department("Sở Nội vụ")
    o_env = opendata.save_organization(name="so-nong-nghiep-moi-truong", title=env.name, agency=env)
    o_city = opendata.save_organization(name="ubnd-thanh-pho-ha-noi", title=city.name, agency=city)
    o_home = opendata.save_organization(name="so-noi-vu", title=home.name, agency=home)
    g_env = opendata.save_group(name="moi-truong", title="Môi trường")
    g_adm = opendata.save_group(name="hanh-chinh-cong", title="Hành chính công")
    g_geo = opendata.save_group(name="ban-do", title="Bản đồ và địa giới")
    hanoi = Unit.objects.filter(structure=Structure.Y2025, level=Level.PROVINCE, code="01").first()
    since = dt.date.today() - dt.timedelta(days=30)

    def dataset(name, title, org, notes, groups, tags, frequency, sources, start=None):
        ds = opendata.save_dataset(name=name, title=title, organization=org, notes=notes, groups=groups, tags=tags,
                                   frequency=frequency, licence=Licence.CC_BY, spatial=hanoi, temporal_start=start)
        for key in sources:
            opendata.add_live_resource(dataset=ds, source=key)
        return ds

    air = dataset("chat-luong-khong-khi-theo-gio", "Chất lượng không khí theo giờ", o_env,
                  "Chỉ số VN_AQI giờ (Quyết định 1459/QĐ-TCMT) và nồng độ PM2.5, PM10, O₃, NO₂, SO₂, CO của các trạm "
                  "quan trắc tự động trong 30 ngày gần nhất; cập nhật mỗi giờ.",
                  [g_env], ["không khí", "AQI", "bụi mịn"], Frequency.HOURLY, ["air_quality_hourly"], since)
    water = dataset("muc-nuoc-song", "Mực nước sông theo giờ", o_env,
                    "Mực nước giờ và cấp báo động lũ (Quyết định 05/2020/QĐ-TTg) tại các trạm thủy văn.",
                    [g_env], ["mực nước", "lũ"], Frequency.HOURLY, ["water_levels_hourly"], since)
    dataset("luong-mua", "Lượng mưa theo giờ", o_env, "Lượng mưa 1 giờ và 24 giờ tại các trạm đo mưa.",
            [g_env], ["mưa"], Frequency.HOURLY, ["rainfall_hourly"], since)
    stations = dataset("tram-quan-trac", "Trạm quan trắc môi trường", o_env,
                       "Danh sách và vị trí các trạm quan trắc không khí, nước, mưa, tiếng ồn.",
                       [g_env, g_geo], ["trạm quan trắc"], Frequency.IRREGULAR, ["stations"])
    dataset("don-vi-hanh-chinh", "Đơn vị hành chính cấp xã", o_home,
            "126 phường, xã của Hà Nội từ 01/7/2025 (Nghị quyết 1656/NQ-UBTVQH15): mã, tên, diện tích, tọa độ.",
            [g_geo], ["địa giới", "phường xã"], Frequency.IRREGULAR, ["units"])
    procedures = dataset("thu-tuc-hanh-chinh", "Danh mục thủ tục hành chính", o_city,
                         "Các thủ tục hành chính đang áp dụng: mã, lĩnh vực, cấp thực hiện, mức độ trực tuyến.",
                         [g_adm], ["thủ tục", "dịch vụ công"], Frequency.WEEKLY, ["procedures"])
    stats = dataset("thong-ke-ho-so", "Thống kê giải quyết hồ sơ theo cơ quan và tháng", o_city,
                    "Số hồ sơ tiếp nhận, đã giải quyết đúng hạn, trễ hạn, tỷ lệ trực tuyến của từng cơ quan, 12 tháng.",
                    [g_adm], ["hồ sơ", "thống kê"], Frequency.DAILY, ["dossier_statistics"])
    parks = opendata.save_dataset(name="cong-vien-vuon-hoa", title="Công viên, vườn hoa", organization=o_env,
                                  notes="Các công viên lớn và vườn hoa công cộng do thành phố quản lý.",
                                  groups=[g_env, g_geo], tags=["công viên", "không gian xanh"], spatial=hanoi)
    admin = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.filter(
        username="admin.city").first()
    if admin is not None:
        opendata.add_file_resource(user=admin, dataset=parks, name="Danh sách công viên", filename="cong-vien.csv",
                                   data=PARKS.encode())

    catalogue = [
        ("dan-cu", "Cơ sở dữ liệu dân cư của thành phố", city, Sharing.RESTRICTED,
         "Luật Căn cước 2023; Nghị định 69/2024/NĐ-CP", [("so_dinh_danh", "Số định danh cá nhân"),
                                                        ("ho_ten", "Họ, chữ đệm và tên"), ("noi_thuong_tru", "Nơi thường trú")],
         [("Tra cứu công dân (LGSP)", "/api/v1/population/"), ("Kho dữ liệu của người dân", "/kho-du-lieu/")], []),
        ("dat-dai", "Cơ sở dữ liệu đất đai", env, Sharing.SHARED, "Luật Đất đai 2024, Điều 166",
         [("thua_dat", "Số hiệu thửa đất"), ("to_ban_do", "Số tờ bản đồ"), ("muc_dich", "Mục đích sử dụng")],
         [("Chia sẻ qua nền tảng tích hợp, chia sẻ dữ liệu", "")], []),
        ("doanh-nghiep", "Cơ sở dữ liệu doanh nghiệp trên địa bàn", department("Sở Tài chính"), Sharing.SHARED,
         "Luật Doanh nghiệp 2020", [("ma_so_doanh_nghiep", "Mã số doanh nghiệp"), ("ten", "Tên doanh nghiệp")],
         [], []),
        ("y-te", "Cơ sở dữ liệu y tế", department("Sở Y tế"), Sharing.RESTRICTED, "Luật Khám bệnh, chữa bệnh 2023",
         [("co_so_kcb", "Cơ sở khám, chữa bệnh"), ("giay_phep", "Giấy phép hoạt động")], [], []),
        ("giao-duc", "Cơ sở dữ liệu giáo dục", department("Sở Giáo dục và Đào tạo"), Sharing.SHARED,
         "Luật Giáo dục 2019", [("truong", "Trường học"), ("hoc_sinh", "Số học sinh")], [], []),
        ("bao-hiem", "Cơ sở dữ liệu bảo hiểm xã hội, bảo hiểm y tế", city, Sharing.RESTRICTED,
         "Luật Bảo hiểm xã hội 2024", [("so_so_bhxh", "Mã số bảo hiểm xã hội")], [], []),
        ("moi-truong", "Cơ sở dữ liệu quan trắc môi trường", env, Sharing.OPEN,
         "Luật Bảo vệ môi trường 2020, Điều 114", [("tram", "Trạm quan trắc"), ("thong_so", "Thông số"),
                                                   ("gia_tri", "Giá trị đo")],
         [("SensorThings API", "/sta/v1.1/"), ("NGSI-LD", "/ngsi-ld/v1/"), ("Dữ liệu mở (CKAN)", "/api/3/action/")],
         [air, water, stations]),
        ("thu-tuc-hanh-chinh", "Cơ sở dữ liệu thủ tục hành chính và hồ sơ", city, Sharing.OPEN,
         "Nghị định 61/2018/NĐ-CP; Nghị định 107/2021/NĐ-CP",
         [("ma_thu_tuc", "Mã thủ tục"), ("ma_ho_so", "Mã hồ sơ"), ("trang_thai", "Trạng thái")],
         [("API thủ tục", "/api/v1/procedures/"), ("Thống kê", "/api/v1/statistics/")], [procedures, stats]),
    ]
    for slug, name, owner, sharing, basis, fields, exposed, datasets in catalogue:
        opendata.save_database_entry(slug=slug, name=name, owner=owner, sharing=sharing, legal_basis=basis,
                                     fields=[{"name": f, "description": d} for f, d in fields],
                                     services=[{"name": n, "url": u} for n, u in exposed], datasets=datasets)
    out(f"Nạp {Dataset.objects.count()} bộ dữ liệu mở và {len(catalogue)} cơ sở dữ liệu vào danh mục")
