# language: zh-CN
功能: 地块信息的写法与台账一致
  场景中的地块表与台账的写法相同：表头可用中文表头或英文字段名，取值可用中文或英文代码；
  日期可写作 2018-12-31、2018/12/31、2018.12.31 或 2018年12月31日；是/否可写作 是/否、Y/N、yes/no、true/false、1/0；
  空白表示"不知道"，不等于"否"或 0。宗地编号和面积未写时，场景自动补上。
  无法识别的取值（如土地用途写作"林地"）使记录无效，结论为"记录无效"。

  背景:
    假如 评估日为 2021-10-01

  @2.3.2.1#p2
  场景: 用英文字段名和英文代码填写的地块，与中文填写的结论相同
    假如 一宗地块：
      | field                    | value                 |
      | parcel_id                | SL-EN-1               |
      | area_m2                  | 20,000                |
      | approved_on              | 2018-03-01            |
      | construction_started_on  | 2018-06-01            |
      | land_use                 | industrial            |
      | project_source           | investment_attraction |
      | filed_with_province      | yes                   |
      | conforms_spatial_plan    | true                  |
      | conforms_industry_policy | Y                     |
      | operating_well           | 1                     |
      | output_per_mu            | 260                   |
      | contract_performance     | good                  |
    当 按规则库作出决定
    那么 结论为"regularise"
    而且 类别为"approved_unsupplied"、"used_before_supplied"

  @2.3.2.1#p2
  场景大纲: 日期的各种写法都按同一天理解
    假如 一宗地块：
      | 批准日期            | 2018-03-01 |
      | 开工日期            | <开工日期> |
      | 土地用途            | 工业用地   |
      | 项目来源            | 招商引资   |
      | 已报省厅备案        | 是         |
      | 符合国土空间规划    | 是         |
      | 符合产业准入政策    | 是         |
      | 运营良好            | 是         |
      | 亩均产出（万元/亩） | 260        |
      | 履约情况            | 良好       |
    当 按规则库作出决定
    那么 结论为"完善用地手续"

    例子:
      | 开工日期       |
      | 2018年12月31日 |
      | 2018/12/31     |
      | 2018.12.31     |
